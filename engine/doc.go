// Package engine provisions one user or group on demand as Microsoft Entra ID's provisioning
// service does, and runs the provisioning cycles of a job (Session), against any SCIM endpoint.
//
// A run reads a source directory (Source, LoadSource) and a job config (Config, LoadConfig), and
// reports the five steps of "Provision on demand" (test connection, import, scope, match, action) as
// a report.Report: each step is a value of its own (step_*.go) over the object interface users and
// groups share; the error codes are entra's table. Files are read with internal/decode, so every
// mistake names its file, line, column and field.
package engine
