-- Issue 15: a realtime service's batching, when its publisher set it (else the server's defaults).
-- Its model is the blob in content_hash and runtime is 'Realtime'.
ALTER TABLE web_services ADD COLUMN batch_max_size INTEGER;
ALTER TABLE web_services ADD COLUMN batch_max_wait_ms REAL;
