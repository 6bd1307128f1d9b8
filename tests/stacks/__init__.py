"""A corpus of foreign stacks: AWS stacks built by means other than shipit's config.

    cases/NAME.py    build(console): boto3 calls as the console makes them (console.py,
                     webapp.py), or a CloudFormation template through moto (cfn.py, templates/)
                     with what moto's CloudFormation drops applied by API, as its docstring says
    cases/NAME.toml  the one truth file: doctor's status per check id, init --from-aws's keys
                     (truth.py documents the format and its placeholders)
    app.py           the service behind the ALB (health path, CORS as frameworks answer it)
    test_corpus.py   builds each stack once on a shared moto server (reset per stack) and runs
                     the real CLI: `shipit --json doctor` and `shipit --json init --from-aws`

Adding a shape is adding a case and its truth; build for shapes, not for this list.
"""
