# Sourced by build.sh: installs what the end-to-end tests need.
# The real-containerd issue extends this (containerd 1.7.24 from trixie, runc, busybox-static).
ensure_e2e_deps() {
  :
}
