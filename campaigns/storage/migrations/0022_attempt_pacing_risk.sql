-- The pacing model's risk of each call a predictive decision placed (issue 6): the estimated
-- chance, when the call was placed, that it finds no agent if a person answers it. NULL for calls
-- placed without the model (progressive, fixed ratio, warm-up, preview, manual, inbound). Summed
-- over the answered calls, it is the number of abandons the model expected: compared with the
-- abandons that happened, it tells whether the model or its live inputs are off (README,
-- "Benchmarks": the live pacing run).
ALTER TABLE call_attempts ADD COLUMN pacing_risk real;
