"""Serving CustomResourceDefinitions' resources from inside the API server, as the
apiextensions-apiserver does: `establishing` watches the CRDs in the watch cache (so every
API server over one store converges on the same table), accepts their names, marks them
Established, publishes their resources to the dynamic part of api/resources' table (which
routing, the write pipeline and discovery read) and to the Table printers, and deletes a
deleted CRD's objects before its finalizer goes; `openapi` makes their OpenAPI v3
documents from the versions' schemas."""
