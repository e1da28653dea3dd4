"""How `tug` prints objects, kept apart from the verbs that fetch them: server Tables as
kubectl's aligned columns (`tables`), YAML, JSON and names (`objects`), JSONPath templates
(`jsonpath`) and custom columns (`customcolumns`). `formats` picks one from `-o`."""
