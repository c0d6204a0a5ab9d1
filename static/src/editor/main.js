// The collaborative editor (see the editor issue).
