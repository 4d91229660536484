extension DashboardTemplates {
    /// The login form: user and password, with the form's token and the page to go to afterwards.
    static let login = """
        <div class="login card">
        <h1>Log in</h1>
        {{#problem}}<p class="problem" role="alert">{{.}}</p>{{/problem}}
        {{#noUsers}}
        <p class="problem">This server has no dashboard user. Add one under api.auth.users in spool.yaml, with a
        password hash made by <code>spoolctl hash-password</code>.</p>
        {{/noUsers}}
        <form class="stacked" method="post" action="/dashboard/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label>User <input name="user" value="{{user}}" autocomplete="username" required autofocus></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Log in</button>
        </form>
        </div>

        """
}
