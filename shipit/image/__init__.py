"""``shipit build``'s library: build one manifest list for every platform, then prove it runs.

    pipeline     build_image(): the command's steps, with every outside dependency injected
    platforms    linux/amd64, linux/arm64: parsing, the host's, ELF machine per architecture
    git, tags, labels   the commit, its tags (full sha + latest), OCI labels
    backend      BuildRequest/BuildOutcome, the Builder interface, where to read a build back
    buildah      daemonless builder (+ push_manifest_list, BuildahStorage)
    buildx       docker buildx builder (metadata file, registry cache)
    runner       the process boundary (argument lists, never a shell)
    source       ImageSource: what the verifier reads; registry (HTTP API) and oci_layout
    manifest     OCI/Docker manifests, indexes, configs: pure parsing
    layers, filetree    an image's merged file system from its layers (whiteouts applied)
    resolve, elf        argv[0] through PATH, symlinks and #! to ELF headers
    checks, verify      pure findings; verify_image() gathers and judges every platform
    smoke        run the local platform's image (Docker API or podman) until /api/health is 200
    emulated     run a foreign-CPU image under qemu-user in a chroot (arm64 smoke on amd64)
    receipt      .shipit/build-receipt.json, read by push and deploy

Reusable by ``shipit push`` and others: ``buildah.push_manifest_list`` and ``BuildahStorage``,
``registry.RegistryClient`` (ping, find_manifest, open_blob, has_blob) and ``RegistrySource``,
``manifest.parse_manifest``/``parse_config``, ``checks.check_platforms``/``check_tags``,
``verify.verify_image`` (+ ``require_verified``), ``receipt.read_receipt``.
"""
