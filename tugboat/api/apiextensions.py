"""apiextensions.k8s.io/v1 CustomResourceDefinition: how a user adds a kind of their own.
The names follow Kubernetes' Go types so that the OpenAPI document describes them as
Kubernetes does. A schema (JSONSchemaProps) is recursive and open-ended, so it is kept as
the JSON it was sent as and checked by tugboat.api.schema, which also validates, defaults
and prunes the custom objects it describes.

Kubernetes publishes no protobuf message for these types (they live in
k8s.io/apiextensions-apiserver, outside tugboat/api/proto's tables): CRDs and custom
resources are served as JSON and YAML only."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tugboat.api.fieldtypes import Int32
from tugboat.api.meta import K8sModel, ObjectMeta, Time

GROUP = "apiextensions.k8s.io"
# The finalizer the API server puts on every CRD: its custom objects are deleted before the
# definition goes (the apiextensions-apiserver's CustomResourceCleanup).
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

ESTABLISHED = "Established"
NAMES_ACCEPTED = "NamesAccepted"
TERMINATING = "Terminating"


class CustomResourceDefinitionNames(K8sModel):
    plural: str = ""
    singular: str | None = None
    shortNames: list[str] | None = None
    kind: str = ""
    listKind: str | None = None
    categories: list[str] | None = None


class CustomResourceValidation(K8sModel):
    openAPIV3Schema: dict[str, Any] | None = None


class CustomResourceSubresourceScale(K8sModel):
    specReplicasPath: str = ""
    statusReplicasPath: str = ""
    labelSelectorPath: str | None = None


class CustomResourceSubresources(K8sModel):
    status: dict[str, Any] | None = None  # CustomResourceSubresourceStatus: an empty object
    scale: CustomResourceSubresourceScale | None = None


class CustomResourceColumnDefinition(K8sModel):
    name: str = ""
    type: str = ""
    format: str | None = None
    description: str | None = None
    priority: Int32 | None = None
    jsonPath: str = ""


class SelectableField(K8sModel):
    jsonPath: str = ""


class CustomResourceDefinitionVersion(K8sModel):
    name: str = ""
    served: bool = False
    storage: bool = False
    deprecated: bool | None = None
    deprecationWarning: str | None = None
    schema_: CustomResourceValidation | None = Field(default=None, alias="schema")
    subresources: CustomResourceSubresources | None = None
    additionalPrinterColumns: list[CustomResourceColumnDefinition] | None = None
    selectableFields: list[SelectableField] | None = None


class WebhookConversion(K8sModel):
    clientConfig: dict[str, Any] | None = None
    conversionReviewVersions: list[str] = Field(default_factory=list)


class CustomResourceConversion(K8sModel):
    strategy: str = "None"  # None or Webhook
    webhook: WebhookConversion | None = None


class CustomResourceDefinitionSpec(K8sModel):
    group: str = ""
    names: CustomResourceDefinitionNames = Field(default_factory=CustomResourceDefinitionNames)
    scope: str = ""  # Namespaced or Cluster
    versions: list[CustomResourceDefinitionVersion] = Field(default_factory=list)
    conversion: CustomResourceConversion | None = None
    preserveUnknownFields: bool | None = None


class CustomResourceDefinitionCondition(K8sModel):
    type: str
    status: str
    lastTransitionTime: Time | None = None
    reason: str | None = None
    message: str | None = None


class CustomResourceDefinitionStatus(K8sModel):
    conditions: list[CustomResourceDefinitionCondition] | None = None
    acceptedNames: CustomResourceDefinitionNames | None = None
    storedVersions: list[str] | None = None


class CustomResourceDefinition(K8sModel):
    apiVersion: str = "apiextensions.k8s.io/v1"
    kind: str = "CustomResourceDefinition"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: CustomResourceDefinitionSpec = Field(default_factory=CustomResourceDefinitionSpec)
    status: CustomResourceDefinitionStatus | None = None

    def storage_version(self) -> str | None:
        return next((v.name for v in self.spec.versions if v.storage), None)

    def condition(self, type_: str) -> CustomResourceDefinitionCondition | None:
        return next((c for c in (self.status.conditions if self.status else None) or []
                     if c.type == type_), None)

    def is_established(self) -> bool:
        c = self.condition(ESTABLISHED)
        return c is not None and c.status == "True"
