"""Evidence reports for a preview or an audit: SARIF, JUnit XML, a Markdown summary and an HTML report.

``model.build_report`` turns what the preview produces (its ``--json`` document plus each pack's analyzer
info) into one ``Report``; each format module renders that model; ``writer.write_reports`` writes them all.
"""
