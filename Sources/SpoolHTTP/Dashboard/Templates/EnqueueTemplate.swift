extension DashboardTemplates {
    /// The form that enqueues one task, filled again with what was sent when the spool refused it.
    static let enqueue = """
        <h1>Enqueue a task</h1>
        {{#problem}}<p class="problem" role="alert">{{.}}</p>{{/problem}}
        <form class="stacked card" method="post" action="/dashboard/enqueue">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Queue <input name="queue" value="{{queue}}" required autocapitalize="off"></label>
        <label>Type <input name="type" value="{{type}}" required autocapitalize="off"></label>
        <label>Payload (JSON) <textarea name="payload" spellcheck="false">{{payload}}</textarea></label>
        <label>Key, to find it by (optional) <input name="key" value="{{key}}" autocapitalize="off"></label>
        <label>Run at (empty for now, +30m, or 2026-12-05T10:00:00Z) <input name="when" value="{{when}}"></label>
        <label>Attempts at most (optional) <input name="max_attempts" value="{{maxAttempts}}" inputmode="numeric"></label>
        <div class="actions"><button type="submit">Enqueue</button></div>
        </form>

        """
}
