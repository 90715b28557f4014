-- Per street in scope: coverage gaps (no minor-protection workstation, community units without a children's home) beside social-work presence (projects, sites); $district, $street nullable.
with
streets as (
    select * from streets_in($district, $street)
),

workstations as (
    select
        street_code,
        sum(points)::bigint as workstations
    from point_tally
    where category = 'workstation'
    group by street_code
),

units as (
    select
        street_code,
        count(*) as units,
        count(*) filter (where homes = 0) as units_without_home
    from community_tally()
    group by street_code
),

-- sw_project_scope holds each project once per street it has a site in (derived at publish time).
presence as (
    select
        x.scope_code as street_code,
        count(*) as sw_projects,
        sum(x.sites) as sw_sites
    from sw_project_scope as x
    inner join streets as s on x.scope_code = s.street_code
    group by x.scope_code
),

final as (
    select
        s.district_name,
        s.street_code,
        s.street_name,
        coalesce(w.workstations, 0) as workstations,
        coalesce(u.units, 0) as units,
        coalesce(u.units_without_home, 0) as units_without_home,
        coalesce(p.sw_projects, 0) as sw_projects,
        coalesce(p.sw_sites, 0) as sw_sites,
        (coalesce(w.workstations, 0) = 0 or coalesce(u.units_without_home, 0) > 0) as has_gap,
        (coalesce(w.workstations, 0) = 0 or coalesce(u.units_without_home, 0) > 0)
        and coalesce(p.sw_sites, 0) = 0 as gap_without_project
    from streets as s
    left join workstations as w on s.street_code = w.street_code
    left join units as u on s.street_code = u.street_code
    left join presence as p on s.street_code = p.street_code
)

select * from final
order by gap_without_project desc, has_gap desc, units_without_home desc, street_code asc
