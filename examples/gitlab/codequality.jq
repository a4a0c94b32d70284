# sascan JSON report -> GitLab Code Quality report (artifacts:reports:codequality).
# Usage: jq -f codequality.jq sascan.json > gl-code-quality-report.json
{"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"} as $severity
| [.findings[]
   | select(.suppressed | not)
   | {
       description: "\(.ruleId) \(.title): \(.message)",
       check_name: .ruleId,
       fingerprint: .fingerprint,
       severity: $severity[.severity],
       location: {path: (.location.file // "cluster"), lines: {begin: (.location.line // 1)}}
     }]
