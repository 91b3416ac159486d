-- 0028_documents.sql: documents and clinical images shared with a patient,
-- the patient's own uploads and their review, and who opened which file
-- when (issue 13, DESIGN.md section 13).
--
-- * documents: one record per file of a patient. The bytes are stored by
--   their SHA-256 under files_dir (files/<clinic>/<xx>/<sha256>, the
--   thumbnail of an image likewise), never here; records may share bytes.
--   A clinic upload (source 'clinic') starts unshared; a patient upload
--   (source 'patient') starts 'pending', unshared, and is shared when the
--   reviewer accepts it (as a document or an image); a pending or rejected
--   one cannot be shared.
-- * What the patient sees: documents (kind 'document') that are shared,
--   and their own uploads in any review state; images (kind 'image') that
--   are shared. The statements of src/db/documents_sql.c say so in one
--   place (DOC_VISIBLE).
-- * document_access: every view and download, by the patient, a staff
--   member or an API key (exactly one), newest last. Rows go with their
--   document.
-- * portal_file_refs(): every (clinic, sha256) a record refers to (photos,
--   documents and thumbnails), for `portalctl gc-files`, which removes
--   stored content nobody refers to.

CREATE TABLE documents (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  clinic_id uuid NOT NULL,
  patient_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('document', 'image')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type text NOT NULL
    CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
  size bigint NOT NULL CHECK (size BETWEEN 1 AND 1073741824),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  thumb_sha256 text CHECK (thumb_sha256 ~ '^[0-9a-f]{64}$'),
  width integer CHECK (width BETWEEN 1 AND 10000000),
  height integer CHECK (height BETWEEN 1 AND 10000000),
  shared boolean NOT NULL DEFAULT false,
  source text NOT NULL CHECK (source IN ('clinic', 'patient')),
  uploaded_by uuid,
  review_status text CHECK (review_status IN ('pending', 'accepted', 'rejected')),
  review_reason text CHECK (length(review_reason) BETWEEN 1 AND 500),
  reviewed_by uuid,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- A patient upload is reviewed; a clinic upload is not.
  CHECK ((source = 'patient') = (review_status IS NOT NULL)),
  CHECK (source = 'clinic' OR uploaded_by IS NULL),
  CHECK ((review_status IN ('accepted', 'rejected')) = (reviewed_at IS NOT NULL)),
  CHECK (review_status IS DISTINCT FROM 'rejected' OR review_reason IS NOT NULL),
  CHECK (review_status IS DISTINCT FROM 'pending' OR (review_reason IS NULL AND reviewed_by IS NULL)),
  -- Only what was accepted of a patient's uploads is shared.
  CHECK (NOT shared OR review_status IS NULL OR review_status = 'accepted'),
  -- An image is shown by its thumbnail.
  CHECK (kind = 'document' OR thumb_sha256 IS NOT NULL),
  UNIQUE (clinic_id, id),
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, uploaded_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (uploaded_by),
  FOREIGN KEY (clinic_id, reviewed_by) REFERENCES staff (clinic_id, id)
    ON DELETE SET NULL (reviewed_by)
);
-- A patient's records, newest first (both sides' lists); the review queue
-- (pending oldest first, the others newest first); the uploads that count
-- against a patient's quota; gc-files' reading of the hashes.
CREATE INDEX documents_patient ON documents (clinic_id, patient_id, created_at DESC, id DESC);
CREATE INDEX documents_review ON documents (clinic_id, review_status, created_at, id)
  WHERE review_status IS NOT NULL;
CREATE INDEX documents_uploads ON documents (clinic_id, patient_id)
  WHERE source = 'patient' AND review_status IN ('pending', 'accepted');

CREATE TABLE document_access (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  clinic_id uuid NOT NULL,
  document_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  patient_id uuid,
  staff_id uuid,
  api_key_id uuid,
  action text NOT NULL CHECK (action IN ('view', 'download')),
  CHECK (num_nonnulls(patient_id, staff_id, api_key_id) = 1),
  FOREIGN KEY (clinic_id, document_id) REFERENCES documents (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, staff_id) REFERENCES staff (clinic_id, id) ON DELETE CASCADE,
  FOREIGN KEY (clinic_id, api_key_id) REFERENCES api_keys (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX document_access_document ON document_access (clinic_id, document_id, id DESC);
CREATE INDEX document_access_patient ON document_access (clinic_id, patient_id)
  WHERE patient_id IS NOT NULL;
CREATE INDEX document_access_staff ON document_access (clinic_id, staff_id)
  WHERE staff_id IS NOT NULL;
CREATE INDEX document_access_api_key ON document_access (clinic_id, api_key_id)
  WHERE api_key_id IS NOT NULL;

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_own ON documents USING (clinic_id = portal_current_clinic());
CREATE POLICY clinic_own ON document_access USING (clinic_id = portal_current_clinic());

GRANT SELECT, INSERT, DELETE ON documents TO portal_app;
GRANT UPDATE (kind, title, shared, thumb_sha256, width, height, review_status,
  review_reason, reviewed_by, reviewed_at, updated_at) ON documents TO portal_app;
-- The access record is only added to.
GRANT SELECT, INSERT ON document_access TO portal_app;

-- Serializes a patient's uploads for the rest of the transaction, so that
-- two at once cannot both pass the quota, and answers what the patient's
-- pending and accepted uploads hold: how many, and their bytes.
CREATE FUNCTION portal_upload_usage(p_patient uuid)
RETURNS TABLE (uploads bigint, bytes bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('uploads:' || p_patient::text, 0));
  RETURN QUERY
    SELECT count(*), coalesce(sum(d.size), 0)::bigint FROM documents d
     WHERE d.clinic_id = portal_current_clinic() AND d.patient_id = p_patient
       AND d.source = 'patient' AND d.review_status IN ('pending', 'accepted');
END
$$;
REVOKE ALL ON FUNCTION portal_upload_usage(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_upload_usage(uuid) TO portal_app;

-- Every stored file a record refers to: (clinic, sha256) of the patients'
-- photos, the documents and their thumbnails, across clinics. For
-- `portalctl gc-files`, which connects as the owner of the tables (row
-- level security does not hold it back); not granted to portal_app.
CREATE FUNCTION portal_file_refs()
RETURNS TABLE (clinic_id uuid, sha256 text)
LANGUAGE sql STABLE AS $$
  SELECT p.clinic_id, p.photo_sha256 FROM patients p WHERE p.photo_sha256 IS NOT NULL
  UNION
  SELECT d.clinic_id, d.sha256 FROM documents d
  UNION
  SELECT d.clinic_id, d.thumb_sha256 FROM documents d WHERE d.thumb_sha256 IS NOT NULL
$$;
REVOKE ALL ON FUNCTION portal_file_refs() FROM PUBLIC;

-- The two notices of the feature. Neither carries a title, a file name or
-- anything of the file: only that there is something to look at.
INSERT INTO message_purposes (purpose, secret, fallback_tr_subject, fallback_tr_body,
                              fallback_en_subject, fallback_en_body) VALUES
  ('document_shared', false,
   '{{clinic_name}}: yeni bir belge',
   E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} sizinle yeni bir belge paylaştı. ' ||
   E'Görmek için hasta portalına girin: {{portal_url}}',
   '{{clinic_name}}: a new document',
   E'Hello {{patient_first_name}},\n\n{{clinic_name}} has shared a new document with you. ' ||
   E'Sign in to the patient portal to see it: {{portal_url}}'),
  ('upload_reviewed', false,
   '{{clinic_name}}: yüklemeniz incelendi',
   E'Merhaba {{patient_first_name}},\n\n{{clinic_name}} yüklediğiniz dosyayı inceledi. ' ||
   E'Sonucu hasta portalında görebilirsiniz: {{portal_url}}',
   '{{clinic_name}}: your upload was reviewed',
   E'Hello {{patient_first_name}},\n\n{{clinic_name}} has reviewed the file you uploaded. ' ||
   E'You can see the outcome in the patient portal: {{portal_url}}')
ON CONFLICT (purpose) DO NOTHING;
