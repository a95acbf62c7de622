export const STYLESHEET_PATH = '/admin/assets/admin.css';

// Served as a file, so the Content-Security-Policy can forbid inline styles.
export const STYLESHEET = `
*, *::before, *::after { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1b1b; background: #f7f7f5; }
a { color: #0b4f9c; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 1; }
header { background: #1d3557; color: #fff; padding: .75rem 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; }
header a, header .who { color: #fff; }
header .title { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
header form { display: inline; margin: 0; }
header button { background: transparent; color: #fff; border: 1px solid #fff; }
nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin-top: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .5rem .75rem; border-bottom: 1px solid #d0d0cc; vertical-align: top; }
th { background: #ecece8; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 1rem; background: #e0e0dc; font-size: .9rem; }
.status-active { background: #d4edda; }
.status-off, .status-entered-in-error, .status-error { background: #f8d7da; }
.status-suspended, .status-test { background: #fff3cd; }
form.edit { background: #fff; padding: 1.25rem; border: 1px solid #d0d0cc; border-radius: 4px; }
.field { margin-bottom: 1.1rem; }
.field > label, legend { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { display: block; color: #555; font-size: .9rem; margin-bottom: .25rem; }
input[type=text], input[type=url], input[type=date], input[type=search], select { font: inherit; padding: .4rem .5rem; border: 1px solid #777; border-radius: 3px; width: 100%; max-width: 36rem; }
input[type=date] { width: auto; }
fieldset { border: 1px solid #d0d0cc; border-radius: 4px; padding: .75rem 1rem; margin: 0 0 1.1rem; }
fieldset label { display: block; font-weight: normal; }
.dates { display: flex; gap: 1.5rem; flex-wrap: wrap; }
.invalid input, .invalid select, .invalid fieldset { border-color: #b00020; border-width: 2px; }
.error-message { display: block; color: #b00020; font-weight: 600; margin-bottom: .25rem; }
.error-summary { border: 3px solid #b00020; background: #fff; padding: .75rem 1rem; margin-bottom: 1.25rem; }
.error-summary h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.notice { border-left: 5px solid #2e7d32; background: #fff; padding: .75rem 1rem; margin-bottom: 1.25rem; }
.refusal { border-left: 5px solid #b00020; background: #fff; padding: .75rem 1rem; }
button, .button { font: inherit; padding: .45rem 1rem; border-radius: 3px; border: 1px solid #1d3557; background: #1d3557; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
.button.secondary, button.secondary { background: #fff; color: #1d3557; }
.actions { display: flex; gap: .75rem; align-items: center; margin-top: 1rem; }
:focus-visible { outline: 3px solid #f0a202; outline-offset: 2px; }
code { font-size: .9rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; padding: .75rem 1rem; border: 1px solid #d0d0cc; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.search { display: flex; gap: .5rem; align-items: end; margin-bottom: 1rem; }
.search .field { margin: 0; flex: 1; }
`;
