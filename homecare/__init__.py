"""The platform app: accounts and audiences, the audit trail, the queue, environment helpers, health.

Every product app imports it; it imports none of them (nor the project package ``config``).
"""
