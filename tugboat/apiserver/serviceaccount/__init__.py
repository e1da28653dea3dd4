"""ServiceAccounts' tokens: signing and verifying bound JWTs (tokens.py), the
authenticator that turns one into a user (authenticator.py), the TokenRequest endpoint
`serviceaccounts/{name}/token` (tokenrequest.py) and the ServiceAccount admission plugin
that gives every pod its identity and a projected token volume (admission.py)."""
