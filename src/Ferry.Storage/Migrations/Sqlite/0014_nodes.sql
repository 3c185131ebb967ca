-- Issue 17: the node that runs a long-running operation or a batch (PostgreSQL's nodes hold an
-- advisory lock on it while they live). SQLite has one node; the columns keep the two schemas alike.
ALTER TABLE arm_operations ADD COLUMN node INTEGER;
ALTER TABLE batch_executions ADD COLUMN node INTEGER;
