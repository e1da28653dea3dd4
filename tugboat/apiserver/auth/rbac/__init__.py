"""Role-based access control: rule matching, the authorizer over the watch cache's Roles
and bindings, Kubernetes' bootstrap policy, and escalation prevention."""
