-- A deleted workspace takes everything named under it: its experiments and runs, models, code versions,
-- online endpoints and deployments. Without this, whoever created a workspace of the same names later
-- (in another subscription too) would inherit them: an endpoint's keys and traffic among them.
-- A resource group's delete cascades to its workspaces and so here as well.
CREATE FUNCTION workspace_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM runs WHERE experiment_id IN
        (SELECT experiment_id FROM experiments WHERE resource_group = old.resource_group AND workspace = old.name);
    DELETE FROM experiments WHERE resource_group = old.resource_group AND workspace = old.name;
    DELETE FROM models WHERE resource_group = old.resource_group AND workspace = old.name;
    DELETE FROM code_versions WHERE resource_group = old.resource_group AND workspace = old.name;
    DELETE FROM online_deployments WHERE resource_group = old.resource_group AND workspace = old.name;
    DELETE FROM online_endpoints WHERE resource_group = old.resource_group AND workspace = old.name;
    RETURN old;
END;
$$;

CREATE TRIGGER workspace_removed AFTER DELETE ON workspaces
    FOR EACH ROW EXECUTE FUNCTION workspace_removed();

-- What earlier deletes left behind goes now.
DELETE FROM runs WHERE experiment_id IN (SELECT e.experiment_id FROM experiments e
    WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = e.resource_group AND w.name = e.workspace));
DELETE FROM experiments WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = experiments.resource_group AND w.name = experiments.workspace);
DELETE FROM models WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = models.resource_group AND w.name = models.workspace);
DELETE FROM code_versions WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = code_versions.resource_group AND w.name = code_versions.workspace);
DELETE FROM online_deployments WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = online_deployments.resource_group AND w.name = online_deployments.workspace);
DELETE FROM online_endpoints WHERE NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.resource_group = online_endpoints.resource_group AND w.name = online_endpoints.workspace);
