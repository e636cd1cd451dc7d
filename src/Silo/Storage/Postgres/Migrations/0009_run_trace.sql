-- The W3C traceparent of a run's span (or its caller's), so the run's attempts, on whatever worker and after a service
-- restart, are spans of the trace the submit began, and the console can link the run to it. Null when nothing traced.
ALTER TABLE runs ADD COLUMN trace_parent text;
