-- A persona's knowledge: documents (txt, md, pdf) cut into passages, searched by PostgreSQL full text in the
-- persona's language (each passage keeps the text search configuration it was indexed with). Deleting a document
-- deletes its passages.
CREATE TABLE knowledge_documents (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  persona_id  uuid NOT NULL,
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  media_type  text NOT NULL CHECK (media_type IN ('text/plain', 'text/markdown', 'application/pdf')),
  size_bytes  bigint NOT NULL CHECK (size_bytes > 0),
  characters  bigint NOT NULL CHECK (characters > 0),
  passages    integer NOT NULL CHECK (passages > 0),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, persona_id) REFERENCES personas (tenant_id, id)
);
CREATE INDEX knowledge_documents_persona ON knowledge_documents (tenant_id, persona_id, id);

CREATE TABLE knowledge_passages (
  tenant_id    uuid NOT NULL,
  document_id  uuid NOT NULL,
  position     integer NOT NULL CHECK (position >= 1),
  persona_id   uuid NOT NULL,
  config       regconfig NOT NULL,
  text         text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  search       tsvector GENERATED ALWAYS AS (to_tsvector(config, text)) STORED,
  PRIMARY KEY (tenant_id, document_id, position),
  FOREIGN KEY (tenant_id, document_id) REFERENCES knowledge_documents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX knowledge_passages_search ON knowledge_passages USING gin (search);
CREATE INDEX knowledge_passages_persona ON knowledge_passages (tenant_id, persona_id);

ALTER TABLE knowledge_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_documents
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
ALTER TABLE knowledge_passages ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_passages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON knowledge_passages
  USING (tenant_id = parley_current_tenant())
  WITH CHECK (tenant_id = parley_current_tenant());
GRANT SELECT, INSERT, DELETE ON knowledge_documents TO ${appRole};
GRANT SELECT, INSERT, DELETE ON knowledge_passages TO ${appRole};

-- search_knowledge joins the platform tools a persona may list.
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'personas'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%schedule_callback%' LOOP
    EXECUTE format('ALTER TABLE personas DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE personas ADD CONSTRAINT personas_tools_check
  CHECK (tools <@ ARRAY['schedule_callback', 'check_availability', 'book_appointment', 'search_knowledge']);
