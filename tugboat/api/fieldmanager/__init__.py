"""Server-side apply's field ownership, as Kubernetes' fieldmanager and
sigs.k8s.io/structured-merge-diff keep it: every object carries `metadata.managedFields`,
one entry per manager and operation naming the fields that manager set (the FieldsV1 form,
`fieldpath`); updates move the fields they change to their manager, applies make the applied
configuration the manager's set, drop what it no longer applies and refuse to take fields
other managers hold (`conflicts`). `manager.FieldManager` is what the API server runs on
every create, update, patch and apply.
"""

from tugboat.api.fieldmanager.conflicts import ApplyConflict, Conflict
from tugboat.api.fieldmanager.manager import FieldManager, InvalidManagedFields, manager_name

__all__ = ["ApplyConflict", "Conflict", "FieldManager", "InvalidManagedFields", "manager_name"]
