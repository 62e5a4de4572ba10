# The Odoo build/test image: Odoo 17 with the flake8/pylint linters, used by the test and quality jobs.
FROM odoo:17.0
USER root
RUN apt-get update && apt-get install -y --no-install-recommends flake8 pylint \
 && rm -rf /var/lib/apt/lists/*
USER odoo
