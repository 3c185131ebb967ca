-- Issue 17: the node that runs a long-running operation (PostgreSQL's nodes hold an advisory lock
-- on it while they live). SQLite has one node; the column keeps the two schemas alike.
ALTER TABLE arm_operations ADD COLUMN node INTEGER;
