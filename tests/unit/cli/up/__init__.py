"""Unit tests of `tug up`'s pieces: preflight checks, certificates, kubeconfigs, flags."""
