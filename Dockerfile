# One image for every dialer process (dashboard, scheduler, workers, carrier, demo).
FROM python:3.11-slim-bookworm

# sipp: the simulated carrier; espeak-ng/sox: generated speech and tones; baresip: an agent phone;
# kamailio: the SIP proxy in front of the inbound processes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends sip-tester baresip-core espeak-ng sox kamailio \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY campaigns campaigns
COPY dialer dialer
COPY workers workers
COPY dashboard dashboard
RUN pip install --no-cache-dir .

ENV DIALER_DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["dialer"]
