"""The web face: base templates, static assets, sign-in, CSRF and the page shell."""
