"""Technical evidence measured from prediction logs: fairness, performance, drift, quality.

Pure of any database: ``service`` takes file paths and options and returns results
(``schemas``) that the rest of aims can store as a measurement run."""
