"""`shipit export`: the running stack written down as a CloudFormation template.

    snapshot = read_stack(aws, selection)      # gather.py: init --from-aws's discovery + reads
    template = build_template(snapshot, opts)  # template.py: pure, over the typed snapshot
    text = to_yaml(template)                   # yaml_out.py: stable order, comments of origin
"""
