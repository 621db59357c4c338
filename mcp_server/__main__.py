from mcp_server.manifest import load

manifest = load()
if manifest is None:  # stale or switched off: the SDK server from the first message on
    from mcp_server.server import main

    main()
else:
    from mcp_server.fast_start import main

    main(manifest)
