//! The report as one self-contained HTML page: inline CSS, inline SVG charts drawn by plotters,
//! tables, and a few lines of inline script that count each chart's marks (the bars) and catch
//! errors, for the browser test. Nothing is fetched from the network.

use anyhow::Result;
use crew_core::error::Error;
use plotters::prelude::*;

/// One series of bars: its name, colour and a value per label.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: Vec<u32>,
}

/// A chart: an id (for the page and its test), a title, the labels along x, the series, the unit.
pub struct Chart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub labels: Vec<String>,
    pub series: Vec<Series<'a>>,
    pub unit: &'a str,
    /// The top of the y axis (at least the largest value).
    pub y_max: Option<u32>,
}

pub const COMPLETED: RGBColor = RGBColor(0x2E, 0x7D, 0x32);
pub const FAILED: RGBColor = RGBColor(0xC6, 0x28, 0x28);
pub const CANCELLED: RGBColor = RGBColor(0x75, 0x75, 0x75);
pub const RATE: RGBColor = RGBColor(0x15, 0x65, 0xC0);
pub const VERDICTS: RGBColor = RGBColor(0xEF, 0x6C, 0x00);
pub const REVENUE: RGBColor = RGBColor(0x15, 0x65, 0xC0);
pub const EARNINGS: RGBColor = RGBColor(0x6A, 0x1B, 0x9A);
pub const PAID_OUT: RGBColor = RGBColor(0x00, 0x83, 0x8F);
pub const COLLECTED: RGBColor = RGBColor(0x2E, 0x7D, 0x32);

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Text from people (a login, a cause) as HTML text: `&`, `<`, `>`, quotes escaped, controls made
/// inert.
pub fn escape(text: &str) -> String {
    crate::output::shown_line(text)
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Grouped bars as an SVG element: one bar per non-zero value (a zero draws nothing).
pub fn svg(chart: &Chart<'_>) -> Result<String> {
    let mut out = String::new();
    let n = chart.labels.len().max(1);
    let largest = chart.series.iter().flat_map(|s| s.values.iter().copied()).max().unwrap_or(0);
    let top = chart.y_max.unwrap_or(0).max(largest).max(1);
    let fail = |e: &dyn std::fmt::Display| Error::internal(format!("drawing the chart `{}`: {e}", chart.id));
    {
        let width = (140 + 90 * n as u32).clamp(520, 1100);
        let root = SVGBackend::with_string(&mut out, (width, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        // Group i is centred on x = i, so the axis's whole-number ticks carry the labels.
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(44)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..f64::from(top) * 1.1)
            .map_err(|e| fail(&e))?;
        let labels = chart.labels.clone();
        let whole = |x: f64| (x - x.round()).abs() < 1e-9;
        c.configure_mesh()
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&|x| {
                if whole(*x) && *x >= 0.0 {
                    labels.get(x.round() as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels((top as usize + 1).min(11))
            .y_label_formatter(&|y| if whole(*y) { format!("{}", y.round() as i64) } else { String::new() })
            .y_desc(chart.unit)
            .draw()
            .map_err(|e| fail(&e))?;
        let groups = chart.series.len().max(1) as f64;
        let width = 0.8 / groups;
        for (j, s) in chart.series.iter().enumerate() {
            let bars = s.values.iter().enumerate().filter(|(_, v)| **v > 0).map(|(i, v)| {
                let x0 = i as f64 - 0.4 + j as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, f64::from(*v))], s.color.filled())
            });
            c.draw_series(bars).map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(out)
}

/// The marks a chart draws: its non-zero values.
pub fn marks(chart: &Chart<'_>) -> usize {
    chart.series.iter().flat_map(|s| &s.values).filter(|v| **v > 0).count()
}

/// A figure: the chart's title, its legend, its SVG.
pub fn figure(chart: &Chart<'_>) -> Result<String> {
    let legend: Vec<String> = chart
        .series
        .iter()
        .map(|s| format!(r#"<span class="key"><i style="background:{}"></i>{}</span>"#, hex(s.color), escape(s.name)))
        .collect();
    let colors: Vec<String> = chart.series.iter().map(|s| hex(s.color)).collect();
    Ok(format!(
        "<figure id=\"{}\" data-colors=\"{}\">\n<figcaption>{} <span class=\"legend\">{}</span></figcaption>\n{}\n</figure>\n",
        chart.id,
        colors.join(" "),
        escape(chart.title),
        legend.join(" "),
        svg(chart)?
    ))
}

/// A table: header cells and rows of cells (escaped here).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let head: String = headers.iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
    let body: String = rows
        .iter()
        .map(|r| format!("<tr>{}</tr>", r.iter().map(|c| format!("<td>{}</td>", escape(c))).collect::<String>()))
        .collect::<Vec<_>>()
        .join("\n");
    format!("<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n")
}

/// The whole page.
pub fn page(title: &str, subtitle: &str, sections: &[String]) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2rem auto; max-width: 1150px; color: #222; }}
h1 {{ margin-bottom: 0; }} .sub {{ color: #666; margin-top: .2rem; }}
figure {{ margin: 1.5rem 0; }} figcaption {{ font-weight: bold; margin-bottom: .4rem; }}
.legend {{ font-weight: normal; margin-left: 1rem; }} .key {{ margin-right: 1rem; }}
.key i {{ display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} th, td {{ border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }}
th {{ background: #f3f3f3; }} .note {{ color: #666; }} #marks, #errors {{ display: none; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="sub">{subtitle}</p>
{body}
<pre id="marks"></pre>
<pre id="errors"></pre>
<script>
window.addEventListener("error", function (e) {{ document.getElementById("errors").textContent += e.message + "\n"; }});
window.addEventListener("load", function () {{
  var marks = {{}};
  document.querySelectorAll("figure[data-colors]").forEach(function (f) {{
    var colors = f.getAttribute("data-colors").split(" ");
    marks[f.id] = Array.prototype.filter.call(f.querySelectorAll("svg rect"), function (r) {{
      return colors.indexOf((r.getAttribute("fill") || "").toUpperCase()) >= 0;
    }}).length;
  }});
  document.getElementById("marks").textContent = JSON.stringify(marks);
  document.body.setAttribute("data-loaded", "yes");
}});
</script>
</body>
</html>
"#,
        title = escape(title),
        subtitle = escape(subtitle),
        body = sections.join("\n"),
    )
}
