-- Issue 17: the node that runs a long-running operation or a batch. A live node holds the session
-- advisory lock (NodePresence class, node) on its change-notice connection, so a node starting up
-- fails only the operations, and resumes only the batches, of nodes that are gone.
ALTER TABLE arm_operations ADD COLUMN node INTEGER;
ALTER TABLE batch_executions ADD COLUMN node INTEGER;
