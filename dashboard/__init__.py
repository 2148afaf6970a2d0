"""The Flask dashboard: management pages, agent console, wallboard, reports and the JSON API."""
