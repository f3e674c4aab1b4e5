"""Threads between organisations, teams and teachers; the contact-detail hold."""
