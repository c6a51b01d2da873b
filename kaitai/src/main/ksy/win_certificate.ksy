meta:
  id: win_certificate
  title: Attribute certificate table entry (WIN_CERTIFICATE)
  endian: le
doc: |
  One entry of the attribute certificate table that the certificate data directory points at by FILE
  OFFSET (not an RVA). Entries follow one another, each starting on an 8-byte boundary, until the
  directory size is used up. Only the 8-byte header is read eagerly; the certificate bytes (for
  WIN_CERT_TYPE_PKCS_SIGNED_DATA a PKCS#7 SignedData) stay in the file and are handed out as a slice.
doc-ref: PE Format, "The Attribute Certificate Table (Image Only)"
seq:
  - id: len_entry
    -orig-id: dwLength
    type: u4
    doc: Length of this entry, header included, not counting the padding to 8 bytes.
  - id: revision
    -orig-id: wRevision
    type: u2
    doc: 0x0200 (WIN_CERT_REVISION_2_0) for current Authenticode; 0x0100 is legacy.
  - id: certificate_type
    -orig-id: wCertificateType
    type: u2
    doc: 1 = X.509, 2 = PKCS#7 SignedData, 3 = reserved, 4 = terminal-server protocol stack.
instances:
  ofs_certificate:
    value: 8
  len_certificate:
    value: len_entry - ofs_certificate
  certificate:
    -orig-id: bCertificate
    pos: ofs_certificate
    size: len_certificate
    doc: Never read by the reader; the model offers the bytes as a slice of the mapped file.
