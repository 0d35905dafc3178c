"""Accounts: users, organizations, memberships, invitations and sharing."""
