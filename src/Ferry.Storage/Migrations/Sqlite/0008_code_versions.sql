-- Code versions (mfe): a name and version for a set of uploaded artifacts, e.g. LocalUpload/{container}.
CREATE TABLE code_versions (
    resource_group TEXT NOT NULL COLLATE NOCASE,
    workspace      TEXT NOT NULL COLLATE NOCASE,
    name           TEXT NOT NULL,
    version        TEXT NOT NULL,
    path           TEXT NOT NULL,
    description    TEXT,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (resource_group, workspace, name, version)
);
