"""Demo data for evaluating the platform on a laptop: ``manage.py load_demo``.

Every organisation and person it creates is fictional and marked as such (``Provider.is_demo``,
names starting "Demo:"). The command refuses to run when ``DJANGO_ENV=production``.

It sits on top, beside the project package ``config``: it runs every app's demo step, so it may import them
all, and no app imports it.
"""
