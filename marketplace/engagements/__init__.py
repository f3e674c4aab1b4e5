"""The traction ladder: engagements, offers, their gates, timeline and pages."""
