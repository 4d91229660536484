extension DashboardTemplates {
    /// The cron entries: each one's spec, next fires, last tick's task, and its pause button.
    static let cron = """
        <h1>Cron</h1>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        {{#hasEntries}}
        <div class="table-wrap"><table class="stack">
        <thead><tr><th>Entry</th><th>Spec</th><th>Next fires (UTC)</th><th>Last tick (UTC)</th><th></th></tr></thead>
        <tbody>
        {{#entries}}<tr>
        <td><strong>{{name}}</strong><br><span class="note">{{source}}</span>{{#paused}}<br><span class="paused">paused</span>{{/paused}}</td>
        <td><code>{{spec}}</code><br><span class="note">{{timeZone}}, {{task}}</span>{{#problem}}<br><span class="problem">{{.}}</span>{{/problem}}</td>
        <td class="time" data-label="next">{{#next}}{{.}}<br>{{/next}}</td>
        <td class="time" data-label="last">{{#last}}<a href="{{href}}">{{tick}}</a> <span class="state state-{{state}}">{{state}}</span>{{/last}}{{^last}}<span class="muted">none yet</span>{{/last}}</td>
        <td><form class="inline" method="post" action="/dashboard/cron/{{name}}/{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}"><button class="quiet" type="submit">{{action}}</button></form></td>
        </tr>
        {{/entries}}
        </tbody>
        </table></div>
        {{/hasEntries}}
        {{^hasEntries}}<p class="card">No cron entry. Add them under cron: in spool.yaml, or with spoolctl cron add.</p>{{/hasEntries}}

        """
}
