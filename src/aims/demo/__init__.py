"""The demo organisation, Meridian Lending Ltd: every capability adds its records here."""
