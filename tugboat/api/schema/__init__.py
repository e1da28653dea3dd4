"""Structural schemas (a CRD version's openAPIV3Schema) applied to the objects they
describe, as the apiextensions-apiserver applies them: pruning of unknown fields,
defaulting, and validation with Kubernetes' field errors. Pure functions over JSON, so
the API server and tests share them; the schema itself is checked by `structural`."""
