// Package web serves the pages of surveyworker's web interface on the
// service's HTTP server: sign-in, upload into the inbox, the files the
// worker has seen, the latest ranking and the job runs.
//
// The pages are server-rendered html/template with a little progressive
// JavaScript (drag and drop, and a poll that reloads an upload's page once
// the worker has handled it); every page works without it. They read
// what [store] already holds and the inbox's archive and quarantine
// folders; nothing here computes a ranking. The one thing the package
// writes is an upload: the file, streamed to a hidden folder of the inbox
// and renamed into the inbox when complete, and its record
// ([store.Store.RecordUpload]).
//
// Users come from a users file the operator manages (see [ReadUsers] and
// [AddUser]); passwords are bcrypt hashes. A session is a signed,
// expiring, HttpOnly, SameSite=Lax cookie; every form carries a CSRF
// token tied to the session, and requests are also checked with
// [net/http.CrossOriginProtection]. Failed sign-ins are rate limited per
// name and per client address, with the same message whether the name
// exists or not.
package web
