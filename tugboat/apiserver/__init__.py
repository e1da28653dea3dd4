"""The API server: Kubernetes' REST API over a Store, with a watch cache in front."""
