"""`tug completion bash|zsh|fish|powershell`: print the shell code that completes `tug`
command lines, to be sourced as kubectl's is (`source <(tug completion bash)`).

The script only forwards the words typed to `tug` itself, with `_TUG_COMPLETE` set
(cli/runner.py); the app answers with the candidates — verbs and flags from the Typer
command tree, resource types and then the names of the objects from the server (the
verbs' `autocompletion` callback, targets.complete_resource) — as kubectl's hidden
`__complete` command does.
"""

from __future__ import annotations

import typer

from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples
from tugboat.cli.runner import COMPLETE_VAR

PROG = "tug"
FUNC = "_tug_completion"

SCRIPTS = {
    "bash": f"""# bash completion for {PROG}
{FUNC}() {{
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${{COMP_WORDS[*]}}" \\
                   COMP_CWORD=$COMP_CWORD \\
                   {COMPLETE_VAR}=complete_bash $1 2>/dev/null ) )
    return 0
}}

complete -o default -F {FUNC} {PROG}
""",
    "zsh": f"""#compdef {PROG}
# zsh completion for {PROG}

{FUNC}() {{
  eval $(env _TYPER_COMPLETE_ARGS="${{words[1,$CURRENT]}}" {COMPLETE_VAR}=complete_zsh {PROG} 2>/dev/null)
}}

compdef {FUNC} {PROG}
""",
    "fish": (f"complete --command {PROG} --no-files --arguments \"(env "
             f"{COMPLETE_VAR}=complete_fish _TYPER_COMPLETE_FISH_ACTION=get-args "
             f"_TYPER_COMPLETE_ARGS=(commandline -cp) {PROG})\" --condition \"env "
             f"{COMPLETE_VAR}=complete_fish _TYPER_COMPLETE_FISH_ACTION=is-args "
             f"_TYPER_COMPLETE_ARGS=(commandline -cp) {PROG}\"\n"),
    "powershell": f"""Import-Module PSReadLine
Set-PSReadLineKeyHandler -Chord Tab -Function MenuComplete
$scriptblock = {{
    param($wordToComplete, $commandAst, $cursorPosition)
    $Env:{COMPLETE_VAR} = "complete_powershell"
    $Env:_TYPER_COMPLETE_ARGS = $commandAst.ToString()
    $Env:_TYPER_COMPLETE_WORD_TO_COMPLETE = $wordToComplete
    {PROG} | ForEach-Object {{
        $commandArray = $_ -Split ":::"
        $command = $commandArray[0]
        $helpString = $commandArray[1]
        [System.Management.Automation.CompletionResult]::new(
            $command, $command, 'ParameterValue', $helpString)
    }}
    $Env:{COMPLETE_VAR} = ""
    $Env:_TYPER_COMPLETE_ARGS = ""
    $Env:_TYPER_COMPLETE_WORD_TO_COMPLETE = ""
}}
Register-ArgumentCompleter -Native -CommandName {PROG} -ScriptBlock $scriptblock
""",
}


def script(shell: str | None) -> str:
    """The completion code for `shell`, or kubectl's refusal."""
    if not shell:
        raise CliError("Shell not specified.")
    if shell not in SCRIPTS:
        raise CliError(f'Unsupported shell type "{shell}".')
    return SCRIPTS[shell]


def completion(shell: str = typer.Argument(None, metavar="SHELL",
                                           help="bash, zsh, fish or powershell.")) -> None:
    """Output shell completion code for the specified shell (bash, zsh, fish, powershell)."""
    print(script(shell), end="")


EXAMPLES = examples("""
    # Complete tug commands in the current bash (or zsh) shell
    source <(tug completion bash)
    source <(tug completion zsh)

    # ... in every new bash shell
    tug completion bash > ~/.tug/completion.bash.inc
    echo 'source ~/.tug/completion.bash.inc' >> ~/.bashrc
""")


def register(app: typer.Typer) -> None:
    app.command("completion", epilog=EXAMPLES, context_settings=CONTEXT)(completion)
