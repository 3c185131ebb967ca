-- Authorization on the Azure-ML plane (issue 11): subscriptions, ARM-style role assignments at
-- subscription scope, and the subscription each resource group lives in. Groups created before
-- this version belong to the server's default subscription (its id is in the settings).
CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY COLLATE NOCASE,
    display_name    TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

INSERT INTO subscriptions (subscription_id, display_name, created_at)
SELECT value, 'Ferry', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM settings WHERE key = 'subscriptionId';

CREATE TABLE role_assignments (
    principal_kind  TEXT NOT NULL CHECK (principal_kind IN ('User', 'ServicePrincipal')),
    principal_id    TEXT NOT NULL COLLATE NOCASE,
    principal_name  TEXT NOT NULL,
    subscription_id TEXT NOT NULL COLLATE NOCASE REFERENCES subscriptions (subscription_id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('Owner', 'Contributor', 'Reader')),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (principal_kind, principal_id, subscription_id)
);

-- A removed principal's assignments go with it, so a new one of the same name starts with none.
CREATE TRIGGER role_assignments_user_removed AFTER DELETE ON users
BEGIN
    DELETE FROM role_assignments WHERE principal_kind = 'User' AND principal_id = old.name;
END;

CREATE TRIGGER role_assignments_service_principal_removed AFTER DELETE ON service_principals
BEGIN
    DELETE FROM role_assignments WHERE principal_kind = 'ServicePrincipal' AND principal_id = old.client_id;
END;

-- Existing groups move to the default subscription; with no default yet there are none.
ALTER TABLE resource_groups ADD COLUMN subscription_id TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE resource_groups SET subscription_id = COALESCE((SELECT value FROM settings WHERE key = 'subscriptionId'), '');
CREATE INDEX ix_resource_groups_subscription ON resource_groups (subscription_id);
