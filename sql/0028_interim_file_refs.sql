-- 0028_interim_file_refs.sql: INTERIM, dropped at merge. The store helper's
-- stand-in for portal_file_refs(), which sql/0028_documents.sql (issue 13,
-- core) defines with the documents' hashes as well; until then,
-- `portalctl gc-files` is built and tested against this one, which knows
-- the profile photos alone.
--
-- Every (clinic, SHA-256) a record refers to, across clinics, for the
-- operator's collection of stored files no record refers to (portalctl
-- gc-files, as the owner role, which row-level security does not
-- restrict). A plain SQL function, so that the collector's
-- "WHERE clinic_id = $1" reaches the index patients_photo (0009).
CREATE FUNCTION portal_file_refs() RETURNS TABLE (clinic_id uuid, sha256 text)
LANGUAGE sql STABLE AS $$
  SELECT p.clinic_id, p.photo_sha256 FROM patients p WHERE p.photo_sha256 IS NOT NULL
$$;

-- The owner's alone (it owns it): the API's role never walks across clinics.
REVOKE ALL ON FUNCTION portal_file_refs() FROM PUBLIC;
