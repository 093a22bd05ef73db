// Package entra models Microsoft Entra ID's provisioning service as a SCIM 2.0 client: what it sends
// to an application and how it reads the answers. It is the one place scimsim writes Entra's requests;
// the provisioning engine, the conformance checks and the harness all build them here.
//
//   - The request shapes, in both of Entra's dialects (the production `scim` job and the
//     aadOptscim062020 flag): the test-connection query, matching queries (eq filters only, values
//     quoted as SCIM string literals), group reads with excludedAttributes=members, create bodies,
//     the PATCH bodies of every kind of mapped attribute (single-valued, value-path filtered
//     multi-valued, extension, the manager reference, group members) and deletes.
//   - A Client that sends them, retries what Entra retries during an on-demand run (429 Too Many
//     Requests, honouring Retry-After, and an attempt that timed out) within the caller's deadline,
//     and records every exchange with the token redacted.
//   - The reading of answers: status first, then content, classified into Entra's error codes,
//     from one typed table (Codes) that also carries each code's tips and source.
//
// Sources are cited where the code reproduces them; the pages are Microsoft Learn's, repository
// MicrosoftDocs/entra-docs, under docs/identity/app-provisioning/ unless said otherwise.
package entra
