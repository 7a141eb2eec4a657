<#
.SYNOPSIS
    Turns the markdown help of docs/en-US (platyPS's layout) into the module's MAML help and about topic.
.DESCRIPTION
    Reads <Cmdlet-Name>.md for each page of -SourcePath and writes -OutputPath/ZohoCrm.dll-Help.xml (command MAML, what
    Get-Help reads for a binary module's cmdlets), and about_*.md as -OutputPath/about_*.help.txt.

    Each page is checked against the cmdlet itself (the module at -ModulePath is imported for that): the sections
    platyPS writes, in order (SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED
    LINKS); a syntax heading per parameter set; a `### -Name` with a description and a yaml block for every parameter
    of the cmdlet (the common parameters aside, but -WhatIf and -Confirm included), none for a parameter it does not
    have, and the yaml's Type, Parameter Sets, Aliases, Required, Position, Accept pipeline input and Accept wildcard
    characters as the cmdlet declares them; at least one example, each with a code block. Any problem fails with
    one error naming every page and problem, and nothing is written. An exported cmdlet without a page is a warning
    here (tests/ZohoCrm.Help.Tests.ps1 fails on it), so a new cmdlet does not break the build before its page exists.

    platyPS is not used: it is not available where the module is built, and the part of it needed here is small.
    Runs in Windows PowerShell 5.1 and PowerShell 7 (build.ps1's Build task runs it in a child process, so the build's
    own process never loads ZohoCrm.dll).
.EXAMPLE
    ./src/ZohoCrm.Help/ConvertTo-ZcrmMaml.ps1 -SourcePath docs/en-US -ModulePath out/ZohoCrm/ZohoCrm.psd1 -OutputPath out/ZohoCrm/en-US
#>
[CmdletBinding()]
param(
    # The folder of the markdown pages (docs/en-US).
    [Parameter(Mandatory = $true)][string]$SourcePath,
    # The built module's manifest (out/ZohoCrm/ZohoCrm.psd1): its cmdlets are what the pages are checked against.
    [Parameter(Mandatory = $true)][string]$ModulePath,
    # Where the MAML and about topics go (out/ZohoCrm/en-US); made if missing.
    [Parameter(Mandatory = $true)][string]$OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$sectionOrder = @('SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$yamlKeys = @('Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Default value', 'Accept pipeline input', 'Accept wildcard characters')
$commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters

# Splits lines into blocks under headings of one level ('## ' or '### '), ignoring headings inside ``` fences.
# Returns @{ Head = lines before the first heading; Blocks = list of @{ Title; Lines } }.
function Split-Heading {
    param([string[]]$Lines, [string]$Marker)
    $head = New-Object System.Collections.Generic.List[string]
    $blocks = New-Object System.Collections.Generic.List[object]
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($Marker) -and -not $line.StartsWith($Marker + '#')) {
            $current = @{ Title = $line.Substring($Marker.Length).Trim(); Lines = New-Object System.Collections.Generic.List[string] }
            $blocks.Add($current)
            continue
        }
        if ($null -eq $current) { $head.Add($line) } else { $current.Lines.Add($line) }
    }
    @{ Head = $head.ToArray(); Blocks = $blocks.ToArray() }
}

# Text lines as paragraphs (split on blank lines, lines joined with a space); a fenced block is one paragraph, kept
# line by line.
function ConvertTo-Paragraph {
    param([string[]]$Lines)
    $paras = New-Object System.Collections.Generic.List[string]
    $buffer = New-Object System.Collections.Generic.List[string]
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($inFence) { $paras.Add(($buffer -join "`n")); $buffer.Clear(); $inFence = $false }
            else {
                if ($buffer.Count) { $paras.Add(($buffer -join ' ')); $buffer.Clear() }
                $inFence = $true
            }
            continue
        }
        if ($inFence) { $buffer.Add($line); continue }
        if ($line.Trim() -eq '') {
            if ($buffer.Count) { $paras.Add(($buffer -join ' ')); $buffer.Clear() }
            continue
        }
        $buffer.Add($line.Trim())
    }
    if ($buffer.Count) { $paras.Add(($buffer -join $(if ($inFence) { "`n" } else { ' ' }))) }
    , $paras.ToArray()
}

# The first ``` fenced block of the lines: @{ Code; Before; After } (Code $null when there is none).
function Split-Fence {
    param([string[]]$Lines, [string]$Language)
    $start = -1
    for ($i = 0; $i -lt $Lines.Count; $i++) {
        if ($start -lt 0 -and $Lines[$i] -match ('^\s*```' + $Language + '\s*$')) { $start = $i; continue }
        if ($start -ge 0 -and $Lines[$i] -match '^\s*```\s*$') {
            return @{
                Code   = @(if ($i -gt $start + 1) { $Lines[($start + 1)..($i - 1)] })
                Before = @(if ($start -gt 0) { $Lines[0..($start - 1)] })
                After  = @(if ($i + 1 -lt $Lines.Count) { $Lines[($i + 1)..($Lines.Count - 1)] })
            }
        }
    }
    @{ Code = $null; Before = $Lines; After = @() }
}

# What the cmdlet declares for a parameter, in the yaml block's words.
function Get-DeclaredParameter {
    param([System.Management.Automation.CommandInfo]$Command, [System.Management.Automation.ParameterMetadata]$Parameter)
    $attributes = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
    $sets = @($attributes | ForEach-Object ParameterSetName)
    $allSets = @($Command.ParameterSets | ForEach-Object Name)
    $positions = @($attributes | ForEach-Object Position | Sort-Object -Unique)
    $pipeline = @()
    if ($attributes | Where-Object ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($attributes | Where-Object ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    @{
        'Type'                       = $Parameter.ParameterType.Name
        'Parameter Sets'             = $(if ($sets -contains '__AllParameterSets' -or $allSets.Count -le 1) { '(All)' } else { ($sets | Sort-Object) -join ', ' })
        'Aliases'                    = (@($Parameter.Aliases) | Sort-Object) -join ', '
        'Required'                   = $(if ($attributes | Where-Object Mandatory) { 'True' } else { 'False' })
        'Position'                   = $(if ($positions.Count -eq 1 -and $positions[0] -ge 0) { [string]$positions[0] } elseif ($positions | Where-Object { $_ -ge 0 }) { 'varies' } else { 'Named' })
        'Accept pipeline input'      = $(if ($pipeline) { 'True (' + ($pipeline -join ', ') + ')' } else { 'False' })
        'Accept wildcard characters' = $(if ($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) { 'True' } else { 'False' })
    }
}

# The yaml block's value as compared with the cmdlet's (lists sorted, pipeline kinds in one order).
function Get-NormalValue {
    param([string]$Key, [string]$Value)
    $v = $Value.Trim()
    switch ($Key) {
        'Parameter Sets' { if ($v -ne '(All)') { $v = (($v -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ } | Sort-Object) -join ', ') } }
        'Aliases' { $v = (($v -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ -and $_ -ne 'None' } | Sort-Object) -join ', ') }
        'Accept pipeline input' {
            if ($v -match '^True') {
                $kinds = @(); if ($v -match 'ByValue') { $kinds += 'ByValue' }; if ($v -match 'ByPropertyName') { $kinds += 'ByPropertyName' }
                $v = 'True (' + ($kinds -join ', ') + ')'
            }
        }
        default { if ($v -match '^(true|false)$') { $v = (Get-Culture).TextInfo.ToTitleCase($v.ToLowerInvariant()) } }
    }
    $v
}

# Reads and checks one cmdlet page; problems go to $Problems ("<file>: <problem>"). Returns the page, or $null.
function Read-CommandPage {
    param([string]$Path, [hashtable]$Commands, [System.Collections.Generic.List[string]]$Problems)
    $file = Split-Path -Leaf $Path
    $bad = { param($text) $Problems.Add("${file}: $text") }
    $lines = @((Get-Content -LiteralPath $Path -Raw -Encoding UTF8) -replace "`r`n", "`n" -split "`n")
    if ($lines.Count -lt 3 -or $lines[0] -ne '---' -or @($lines[1..($lines.Count - 1)] | Where-Object { $_ -eq '---' }).Count -lt 1) {
        & $bad "no front matter (a first line '---', then 'external help file: ZohoCrm.dll-Help.xml' ..., then '---')"; return $null
    }
    $end = [Array]::IndexOf($lines, '---', 1)
    $body = @($lines[($end + 1)..($lines.Count - 1)])
    $titleLine = @($body | Where-Object { $_ -match '^# ' } | Select-Object -First 1)
    $name = [IO.Path]::GetFileNameWithoutExtension($Path)
    if (-not $titleLine -or $titleLine[0].Substring(2).Trim() -ne $name) { & $bad "its title must be '# $name' (the file name)"; return $null }
    $command = $Commands[$name]
    if ($null -eq $command) { & $bad "'$name' is not a cmdlet the module exports"; return $null }

    $split = Split-Heading -Lines $body -Marker '## '
    $sections = @{}
    $titles = @($split.Blocks | ForEach-Object { $_.Title })
    foreach ($b in $split.Blocks) {
        if ($sectionOrder -notcontains $b.Title) { & $bad "unknown section '## $($b.Title)' (the sections are: $($sectionOrder -join ', '))" }
        elseif ($sections.ContainsKey($b.Title)) { & $bad "section '## $($b.Title)' appears twice" }
        else { $sections[$b.Title] = $b.Lines.ToArray() }
    }
    foreach ($s in $sectionOrder) { if (-not $sections.ContainsKey($s)) { & $bad "missing section '## $s'" } }
    $known = @($titles | Where-Object { $sectionOrder -contains $_ })
    $expected = @($sectionOrder | Where-Object { $known -contains $_ })
    if (($known -join '|') -ne ($expected -join '|')) { & $bad "sections out of order: $($known -join ', ') (expected $($expected -join ', '))" }
    if (@($sectionOrder | Where-Object { -not $sections.ContainsKey($_) }).Count) { return $null }

    $page = @{ Name = $name; Command = $command }
    $page.Synopsis = (ConvertTo-Paragraph $sections['SYNOPSIS']) -join ' '
    if (-not $page.Synopsis) { & $bad 'empty SYNOPSIS' }
    $page.Description = ConvertTo-Paragraph $sections['DESCRIPTION']
    if ($page.Description.Count -eq 0) { & $bad 'empty DESCRIPTION' }
    $page.Notes = ConvertTo-Paragraph $sections['NOTES']

    # SYNTAX: one heading per parameter set of the cmdlet (__AllParameterSets when it has one).
    $setNames = @($command.ParameterSets | ForEach-Object Name)
    $syntaxSets = @((Split-Heading -Lines $sections['SYNTAX'] -Marker '### ').Blocks | ForEach-Object { ($_.Title -replace '\s*\(Default\)\s*$', '').Trim() })
    $expectedSets = if ($setNames.Count -le 1) { @('__AllParameterSets') } else { $setNames }
    foreach ($s in $syntaxSets) { if ($expectedSets -notcontains $s) { & $bad "SYNTAX names parameter set '$s', which the cmdlet does not have (it has: $($expectedSets -join ', '))" } }
    foreach ($s in $expectedSets) { if ($syntaxSets -notcontains $s) { & $bad "SYNTAX has no '### $s' for the cmdlet's parameter set $s" } }

    # EXAMPLES
    $page.Examples = New-Object System.Collections.Generic.List[object]
    foreach ($b in (Split-Heading -Lines $sections['EXAMPLES'] -Marker '### ').Blocks) {
        $fence = Split-Fence -Lines $b.Lines -Language '(powershell)?'
        if ($null -eq $fence.Code -or -not ($fence.Code -join '').Trim()) { & $bad "example '$($b.Title)' has no ``````powershell code block, or an empty one"; continue }
        $page.Examples.Add(@{ Title = $b.Title; Code = ($fence.Code -join "`n"); Remarks = (ConvertTo-Paragraph (@($fence.Before) + @($fence.After))) })
    }
    if ($page.Examples.Count -eq 0) { & $bad "no example ('### Example 1: <title>' and a code block)" }

    # PARAMETERS: every parameter of the cmdlet, described, with its yaml as the cmdlet declares it.
    $page.Parameters = New-Object System.Collections.Generic.List[object]
    $documented = @{}
    foreach ($b in (Split-Heading -Lines $sections['PARAMETERS'] -Marker '### ').Blocks) {
        if ($b.Title -eq 'CommonParameters') { continue }
        if ($b.Title -notmatch '^-(\w+)$') { & $bad "parameter heading '### $($b.Title)' is not '### -Name'"; continue }
        $pn = $Matches[1]
        $meta = $command.Parameters[$pn]
        if ($null -eq $meta -or $commonParameters -contains $pn) { & $bad "documents -$pn, which $name does not have"; continue }
        if ($documented.ContainsKey($pn)) { & $bad "documents -$pn twice"; continue }
        $documented[$pn] = $true
        $fence = Split-Fence -Lines $b.Lines -Language 'yaml'
        $description = ConvertTo-Paragraph $fence.Before
        if ($description.Count -eq 0) { & $bad "-$pn has no description" }
        if ($null -eq $fence.Code) { & $bad "-$pn has no ``````yaml block"; continue }
        $yaml = @{}
        foreach ($line in $fence.Code) {
            if ($line -match '^([A-Za-z ]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() }
            elseif ($line.Trim()) { & $bad "-$pn's yaml has a line that is not 'Key: value': '$line'" }
        }
        $declared = Get-DeclaredParameter -Command $command -Parameter $meta
        foreach ($key in $yamlKeys) {
            if (-not $yaml.ContainsKey($key)) { & $bad "-$pn's yaml has no '${key}:'"; continue }
            if ($declared.ContainsKey($key)) {
                $written = Get-NormalValue -Key $key -Value $yaml[$key]
                if ($written -ne $declared[$key]) { & $bad "-$pn's yaml says ${key}: '$($yaml[$key])', the cmdlet declares '$($declared[$key])'" }
            }
        }
        $page.Parameters.Add(@{ Name = $pn; Description = $description; Yaml = $yaml; Meta = $meta })
    }
    foreach ($pn in $command.Parameters.Keys) {
        if ($commonParameters -contains $pn) { continue }
        if (-not $documented.ContainsKey($pn)) { & $bad "the cmdlet's parameter -$pn has no '### -$pn' (a description and a yaml block)" }
    }

    # INPUTS, OUTPUTS: '### Type name' and what it is.
    foreach ($s in 'INPUTS', 'OUTPUTS') {
        $items = @(foreach ($b in (Split-Heading -Lines $sections[$s] -Marker '### ').Blocks) { @{ Type = $b.Title; Description = (ConvertTo-Paragraph $b.Lines.ToArray()) } })
        if ($items.Count -eq 0) { & $bad "$s has no '### <type name>' (None when there is none)" }
        $page[$s] = $items
    }

    # RELATED LINKS: [text](uri) lines.
    $page.Links = @(foreach ($line in $sections['RELATED LINKS']) {
            if ($line -match '^\s*\[([^\]]+)\]\(([^)]*)\)\s*$') { @{ Text = $Matches[1]; Uri = $(if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' }) } }
            elseif ($line.Trim()) { & $bad "RELATED LINKS line is not '[text](uri)': '$line'" }
        })
    $page
}

function Write-Para {
    param([System.Xml.XmlWriter]$Writer, [string[]]$Paragraphs)
    if (-not $Paragraphs -or $Paragraphs.Count -eq 0) { $Writer.WriteStartElement('maml', 'para', $nsMaml); $Writer.WriteEndElement(); return }
    foreach ($p in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $nsMaml, $p) }
}

function Write-Description {
    param([System.Xml.XmlWriter]$Writer, [string[]]$Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $nsMaml)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

# One command:parameter element: for a syntax item (the set's own attributes) or for the parameters list.
function Write-Parameter {
    param([System.Xml.XmlWriter]$Writer, [hashtable]$Parameter, [string]$SetName, [bool]$InSyntax)
    $meta = $Parameter.Meta
    $attribute = @($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($null -eq $SetName -or $_.ParameterSetName -eq $SetName -or $_.ParameterSetName -eq '__AllParameterSets') } | Select-Object -First 1)
    $yaml = $Parameter.Yaml
    $required = if ($SetName -and $attribute) { [string]$attribute[0].Mandatory } else { $yaml['Required'] }
    $position = if ($SetName -and $attribute -and $attribute[0].Position -ge 0) { [string]$attribute[0].Position } elseif ($SetName) { 'named' } else { $yaml['Position'] }
    $isSwitch = $meta.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $Writer.WriteStartElement('command', 'parameter', $nsCommand)
    $Writer.WriteAttributeString('required', $required.ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', $(if ($meta.ParameterType.IsArray) { 'true' } else { 'false' }))
    $Writer.WriteAttributeString('globbing', $yaml['Accept wildcard characters'].ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $yaml['Accept pipeline input'])
    $Writer.WriteAttributeString('position', $(if ($position -eq 'Named') { 'named' } else { $position }))
    $Writer.WriteAttributeString('aliases', $(if ($yaml['Aliases']) { $yaml['Aliases'] } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $nsMaml, $Parameter.Name)
    Write-Description $Writer $Parameter.Description
    if (-not ($isSwitch -and $InSyntax)) {
        $Writer.WriteStartElement('command', 'parameterValue', $nsCommand)
        $Writer.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($yaml['Type'])
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $nsDev)
    $Writer.WriteElementString('maml', 'name', $nsMaml, $yaml['Type'])
    $Writer.WriteElementString('maml', 'uri', $nsMaml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $nsDev, $yaml['Default value'])
    $Writer.WriteEndElement()
}

function Write-Command {
    param([System.Xml.XmlWriter]$Writer, [hashtable]$Page)
    $cmd = $Page.Command
    $Writer.WriteStartElement('command', 'command', $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $nsDev)
    $Writer.WriteStartElement('command', 'details', $nsCommand)
    $Writer.WriteElementString('command', 'name', $nsCommand, $Page.Name)
    $Writer.WriteElementString('command', 'verb', $nsCommand, $cmd.Verb)
    $Writer.WriteElementString('command', 'noun', $nsCommand, $cmd.Noun)
    Write-Description $Writer @($Page.Synopsis)
    $Writer.WriteEndElement()
    Write-Description $Writer $Page.Description

    $Writer.WriteStartElement('command', 'syntax', $nsCommand)
    foreach ($set in $cmd.ParameterSets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $nsCommand)
        $Writer.WriteElementString('maml', 'name', $nsMaml, $Page.Name)
        $inSet = @($Page.Parameters | Where-Object { $set.Parameters.Name -contains $_.Name })
        $positional = @($set.Parameters | Where-Object { $_.Position -ge 0 } | Sort-Object Position | ForEach-Object Name)
        $ordered = @($positional | ForEach-Object { $n = $_; $inSet | Where-Object { $_.Name -eq $n } }) + @($inSet | Where-Object { $positional -notcontains $_.Name })
        foreach ($p in $ordered) { Write-Parameter $Writer $p $set.Name $true }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $nsCommand)
    foreach ($p in $Page.Parameters) { Write-Parameter $Writer $p $null $false }
    $Writer.WriteEndElement()

    foreach ($kind in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
        $Writer.WriteStartElement('command', $kind[1], $nsCommand)
        foreach ($item in $Page[$kind[0]]) {
            $Writer.WriteStartElement('command', $kind[2], $nsCommand)
            $Writer.WriteStartElement('dev', 'type', $nsDev)
            $Writer.WriteElementString('maml', 'name', $nsMaml, $item.Type)
            $Writer.WriteEndElement()
            Write-Description $Writer $item.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $nsMaml)
    $Writer.WriteStartElement('maml', 'alert', $nsMaml)
    Write-Para $Writer $Page.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $nsCommand)
    foreach ($e in $Page.Examples) {
        $Writer.WriteStartElement('command', 'example', $nsCommand)
        $Writer.WriteElementString('maml', 'title', $nsMaml, "-------------------------- $($e.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $nsDev, $e.Code)
        $Writer.WriteStartElement('dev', 'remarks', $nsDev)
        Write-Para $Writer $e.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $nsCommand)
    foreach ($l in $Page.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $nsMaml)
        $Writer.WriteElementString('maml', 'linkText', $nsMaml, $l.Text)
        $Writer.WriteElementString('maml', 'uri', $nsMaml, $l.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
}

# An about_*.md page as the plain text Get-Help shows: '# about_X' -> TOPIC, '## HEADING' at the margin, text indented.
function ConvertTo-AboutText {
    param([string]$Path, [System.Collections.Generic.List[string]]$Problems)
    $file = Split-Path -Leaf $Path
    $name = [IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = @((Get-Content -LiteralPath $Path -Raw -Encoding UTF8) -replace "`r`n", "`n" -split "`n")
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') { $end = [Array]::IndexOf($lines, '---', 1); $lines = @($lines[($end + 1)..($lines.Count - 1)]) }
    $split = Split-Heading -Lines $lines -Marker '## '
    if (@($split.Head | Where-Object { $_ -match '^# ' } | Select-Object -First 1) -notcontains "# $name") { $Problems.Add("${file}: its title must be '# $name'") }
    foreach ($s in 'SHORT DESCRIPTION', 'LONG DESCRIPTION') {
        if (@($split.Blocks | Where-Object { $_.Title -eq $s }).Count -ne 1) { $Problems.Add("${file}: missing section '## $s'") }
    }
    $out = New-Object System.Collections.Generic.List[string]
    $out.Add('TOPIC'); $out.Add("    $name"); $out.Add('')
    $inFence = $false
    foreach ($b in $split.Blocks) {
        $out.Add($b.Title.ToUpperInvariant())
        foreach ($line in $b.Lines) {
            if ($line -match '^\s*```') { $inFence = -not $inFence; continue }
            if ($inFence) { $out.Add('        ' + $line); continue }
            if ($line -match '^### (.+)$') { $out.Add('  ' + $Matches[1]); continue }
            $out.Add($(if ($line.Trim()) { '    ' + $line } else { '' }))
        }
    }
    ($out -join [Environment]::NewLine).TrimEnd() + [Environment]::NewLine
}

$nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'

$source = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
$manifest = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$module = Get-Module -Name ZohoCrm | Where-Object { [IO.Path]::GetFullPath($_.ModuleBase).TrimEnd('\', '/') -eq [IO.Path]::GetFullPath((Split-Path -Parent $manifest)).TrimEnd('\', '/') } | Select-Object -First 1
if (-not $module) { $module = Import-Module -Name $manifest -PassThru -ErrorAction Stop }
$commands = @{}
foreach ($c in $module.ExportedCmdlets.Values) { $commands[$c.Name] = $c }

$problems = New-Object System.Collections.Generic.List[string]
$pages = @(foreach ($f in Get-ChildItem -LiteralPath $source -Filter '*.md' -File | Sort-Object Name) {
        if ($f.Name -eq 'README.md' -or $f.Name -like 'about_*') { continue }
        Read-CommandPage -Path $f.FullName -Commands $commands -Problems $problems
    })
$abouts = @(foreach ($f in Get-ChildItem -LiteralPath $source -Filter 'about_*.md' -File) {
        @{ Name = $f.BaseName; Text = (ConvertTo-AboutText -Path $f.FullName -Problems $problems) }
    })
if ($problems.Count -gt 0) {
    throw ("The help in $source is malformed ($($problems.Count) problem(s)); nothing was written:" + [Environment]::NewLine +
        (($problems | ForEach-Object { "  $_" }) -join [Environment]::NewLine))
}
foreach ($name in $commands.Keys | Sort-Object) {
    if (-not ($pages | Where-Object { $_.Name -eq $name })) { Write-Warning "$name has no help page ($source/$name.md): Get-Help shows only its syntax." }
}

$null = New-Item -ItemType Directory -Force -Path $OutputPath
$target = Join-Path $OutputPath 'ZohoCrm.dll-Help.xml'
$settings = New-Object System.Xml.XmlWriterSettings
$settings.Indent = $true
$settings.Encoding = New-Object System.Text.UTF8Encoding($false)
$writer = [System.Xml.XmlWriter]::Create($target, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($page in $pages) { Write-Command $writer $page }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally { $writer.Dispose() }
foreach ($about in $abouts) {
    [IO.File]::WriteAllText((Join-Path $OutputPath "$($about.Name).help.txt"), $about.Text, (New-Object System.Text.UTF8Encoding($false)))
}
Write-Host "Help: $($pages.Count) cmdlet page(s) -> $target; $($abouts.Count) about topic(s)."
