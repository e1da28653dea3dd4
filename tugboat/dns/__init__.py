"""tug-dns: cluster DNS in CoreDNS's role. Names under the cluster domain are answered from
informer caches of Services, EndpointSlices and Namespaces (CoreDNS's kubernetes plugin);
every other name is forwarded to the host's resolvers (its forward plugin). It sees only
tugboat.api and tugboat.client, like every daemon.
"""
