extension DashboardTemplates {
    /// Every page: the head naming the stylesheet and the script, the bar of sections with the logout
    /// button, the message an action left, then the page's own content (`content`, already rendered).
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Spool</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/dashboard/assets/dashboard.css">
        <script src="/dashboard/assets/dashboard.js" defer></script>
        </head>
        <body>
        <header class="top">
        <a class="brand" href="/dashboard">Spool</a>
        {{#hasNav}}
        <nav aria-label="Sections">
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>
        {{/nav}}
        </nav>
        {{/hasNav}}
        {{#logout}}
        <form class="inline" method="post" action="/dashboard/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button class="quiet" type="submit">Log out {{user}}</button>
        </form>
        {{/logout}}
        </header>
        <main>
        {{#flash}}<p class="flash" role="status">{{.}}</p>{{/flash}}
        {{{content}}}
        </main>
        </body>
        </html>

        """

    /// A request the dashboard could not serve: what went wrong, and the way back.
    static let error = """
        <h1>{{heading}}</h1>
        <p class="problem" role="alert">{{message}}</p>
        <p><a href="/dashboard">Back to the overview</a></p>

        """
}
